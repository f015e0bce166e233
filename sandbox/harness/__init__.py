"""Code that runs inside the sandbox container (stdlib only); the host ships it in with every run."""
