"""Where the kit's folders are. The kit runs from its repository checkout."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
DATA = ROOT / "data"
