"""Files: model files, checkpoints and images. Nothing here uses pickle or eval."""
