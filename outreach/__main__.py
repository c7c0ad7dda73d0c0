"""Allow ``python -m outreach``."""

from outreach.cli import main

if __name__ == "__main__":
    main()
