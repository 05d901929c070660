"""Per-turn signals read from every turn, whatever rules are enabled (`reading`), and the
small linear text models some of them use (`linear`, weights shipped in `weights/`)."""
