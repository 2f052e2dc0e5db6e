"""The data model: records and their rules, dates, errors, text folding, filters.

Pure: nothing here reads a file or prints. Every other layer may import it.
"""
