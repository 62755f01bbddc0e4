"""Sources of frames behind the engine's Backend interface: the real program
(:mod:`.real`), a scripted list (:mod:`.scripted`), a model (:mod:`.model`)."""
