// Line-level comments on responses: see templates/annotation/_line_comments.html.
"use strict";
