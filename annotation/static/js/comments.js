// Line-level comments on responses: see templates/annotation/_line_comments.html.
//
// NOTE FROM THE LEAD (read before writing the UI; delete this note when done): the code panels are
// changing from Pygments' two-column `linenos="table"` to ONE TABLE ROW PER SOURCE LINE, so long lines
// can wrap with their numbers aligned. The markup of every highlighted response (tasks/rendering.py,
// highlight_code) will be:
//   <div class="highlight"><table class="code-lines"><tbody>
//     <tr data-line="{N}"><td class="ln">{N}</td><td class="lc">...highlighted spans...</td></tr>
//   ...</tbody></table></div>
// inside `<div class="code">` of `<section class="card response" id="response-{display}">`. Target
// `tr[data-line]` / `td.ln` (click a number to comment), never Pygments' `td.linenos`/`span.normal`.
// This has landed in tasks/rendering.py (highlight_code). Count a response's lines on the server with
// tasks.rendering.source_lines(code) (not str.splitlines, which splits at U+2028 and form feeds). Mark commented lines with a class on the `tr` (e.g. `has-comment`).
"use strict";
