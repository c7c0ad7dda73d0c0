"""Doctor: checking each setup step and naming the fix."""
