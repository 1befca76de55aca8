"""A probe for tests that a native call releases the GIL.

Inside ``with gil_probe() as ticks:`` a background thread counts while it holds the GIL, and
the switch interval is so long that the main thread is never preempted: the count grows
during a call only if that call released the GIL voluntarily. ``ticks()`` is the count so far.
"""

import contextlib
import sys
import threading
import time


@contextlib.contextmanager
def gil_probe():
    count = []
    done = threading.Event()

    def spin():
        while not done.is_set():
            count.append(1)
            time.sleep(0.0005)  # gives the GIL back, so the main thread can always continue

    old = sys.getswitchinterval()
    t = threading.Thread(target=spin)
    t.start()
    try:
        sys.setswitchinterval(30)
        yield lambda: len(count)
    finally:
        sys.setswitchinterval(old)
        done.set()
        t.join()
