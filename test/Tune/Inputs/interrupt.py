"""Runs a command, interrupts it with SIGINT once a file has a number of
lines, and reports its output and exit status.

Usage: interrupt.py FILE LINES COMMAND...

The command is interrupted as soon as FILE (a tuning database) has at least
LINES lines, or after two minutes; its standard output and error, merged,
are forwarded, then `exit status N` is printed.
"""

import os
import signal
import subprocess
import sys
import time


def count_lines(path):
    try:
        with open(path) as file:
            return len(file.read().splitlines())
    except OSError:
        return 0


def main():
    path, lines, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    process = subprocess.Popen(command, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while (process.poll() is None and time.time() < deadline
           and count_lines(path) < lines):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    sys.stdout.write(output)
    print("exit status", process.returncode)


if __name__ == "__main__":
    main()
