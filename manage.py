#!/usr/bin/env python
import sys

from kotapintar.cli import main

if __name__ == "__main__":
    main(sys.argv[1:] or ["help"])
