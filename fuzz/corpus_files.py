"""Writes a seed corpus folder for the make_*corpus.py generators: the folder is replaced, one
file per case, named by its label."""
import os
import shutil


def write(out, cases):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for label, data in cases.items():
        with open(os.path.join(out, label), "wb") as f:
            f.write(data)
    print(f"{len(cases)} seeds in {out}")
