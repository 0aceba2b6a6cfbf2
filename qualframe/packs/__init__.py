"""The study packs that ship with qualframe (see :mod:`qualframe.pack` for the interface).

``houghton``: Houghton et al. (2024), men who use heroin alongside opioid replacement therapy in the
UK; Janis's groupthink codebook, the network-ties codebook, cohorts of people who buy together, the
``houghton-2024`` simulator scenario and the bundled demo.
"""

__all__: list[str] = []
