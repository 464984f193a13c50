"""The application shell: the command line, the composition root (config → cycle → delivery),
the scheduler and the demo. It wires the packages below it and is imported by none of them:
``differ`` (pure) ← ``storage`` ← ``crawler``, ``notifier``, ``web`` ← ``framewatch``.
"""

__version__ = "0.1.0"
