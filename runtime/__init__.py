"""The runtime: compiled rubrics evaluated on completions.

Steps (one module each):
  functions/ the built-in function library (implementations by name)
  evaluate   IR expressions -> closures over one sample
  judges     the judge protocol, the replay judge and the verdict cache
  program    RewardProgram: TRL's reward-function signature, Results
  explain    a readable per-criterion breakdown of one sample
"""
