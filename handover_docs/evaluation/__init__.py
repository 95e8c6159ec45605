"""Model evaluation from prediction files: read, recompute, bootstrap, plot.

The model card's numbers are recomputed here from the predictions the model wrote
(an inventory artifact with a digest), so a typed-in metric can be checked and every
value gets a confidence interval. numpy only; nothing here imports MkDocs.
"""
