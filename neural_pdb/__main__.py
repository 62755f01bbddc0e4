import sys

from neural_pdb.cli import main

sys.exit(main())
