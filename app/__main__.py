"""`python -m app` does what `runway-console` does."""

from app.cli import main

if __name__ == "__main__":
    main()
