"""The debugger's user interface: pdb's commands (:mod:`.debugger`), line readers
(:mod:`.reader`), the prompt_toolkit shell (:mod:`.prompt`) and ``compare``."""
