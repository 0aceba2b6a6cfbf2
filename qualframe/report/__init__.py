"""Reports: the study written up as self-contained HTML or Word, structured by COREQ."""
