"""Coding: manual span coding, retrieval, and (in later modules) assisted-coding engines."""
