"""``python -m tracemask``: the same as the ``tracemask`` command."""

from tracemask.cli import main

if __name__ == "__main__":
    main()
