"""Tracking: a run's life in this process, from `log()` to the store.

Owns: `Run` (config, step counter, summary, the in-memory buffer; `run`), the
scalar converter (`values`), config/summary mappings (`dictlike`), the one
background writer thread and the exit/signal hooks (`flusher`), the process's
current run (`current`), random names (`names`), media objects (`media`),
alerts (`alerts`) and `watch` (weight/gradient histograms, `watch`).

May import: store, output (the end-of-run report), `_display` (to show a panel
without knowing the panel package), errors, `_env`.
"""
