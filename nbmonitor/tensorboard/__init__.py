"""TensorBoard: its event files, read and written.

Owns: the incremental tfevents reader with crc checks (`events`; its numpy
scalar decoding in `scan`, crc32c and framing in `crc`), the logdir's runs
polled (`logdir`), the `TensorBoardSource` over a logdir (`source`), payloads shared by reader and
writer (`payloads`: histograms, PR curves, embeddings, graphs), and the
drop-in `SummaryWriter` (`writer`), its background operations (`writer_ops`),
its event files (`eventfile`: records framed, scalars encoded in batches)
and the in-memory view of what it wrote (`writer_source`).

May import: store, tracking (the process's exit hooks), output, `_display`,
errors. Never sources or panel (the panel is shown through `_display`).
"""
