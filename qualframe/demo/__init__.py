"""The bundled demo study: 14 synthetic interviews modelled on Houghton et al. (2024).

The transcripts (the Houghton study pack's demo corpus, ``qualframe/packs/houghton/demo/corpus/``)
were written by qualframe's authors; they are not real interview
data. They follow the study's design and findings so that every stage of qualframe has realistic
material to work on.
"""

from qualframe.demo.build import DemoResult, build_demo, corpus_path

__all__ = ["DemoResult", "build_demo", "corpus_path"]
