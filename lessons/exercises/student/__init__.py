"""Student files, one per exercise, with gaps marked `# TODO`: hand this folder out.

Each file runs on its own (`python <name>.py`) and is checked with
`python -m lessons.exercises check <name> <name>.py`.
"""
