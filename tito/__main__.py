from tito.cli import run

run()
