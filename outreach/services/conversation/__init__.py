"""The conversation when the other person steps off the script: missed meetings, replies."""
