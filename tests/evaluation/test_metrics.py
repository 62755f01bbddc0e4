"""The metrics on hand-made predicted traces: correct, wrong line, wrong value, truncated."""

from dataclasses import replace

from trace_format import call_frame, exception_frame, line_frame, return_frame

from neural_pdb.evaluation.metrics import entry_return_value, score_rollout, score_teacher_forced, sum_scores

# def f(x):            1
#     y = g(x)         2
#     return y + 1     3
# def g(a):            4
#     return a * 2     5
REFERENCE = (
    call_frame("def f(x):", {"x": "3"}, lineno=1, function="f", depth=0),
    line_frame("    y = g(x)", {"x": "3"}, lineno=2, function="f", depth=0),
    call_frame("def g(a):", {"a": "3"}, lineno=4, function="g", depth=1),
    line_frame("    return a * 2", {"a": "3"}, lineno=5, function="g", depth=1),
    return_frame("    return a * 2", "6", lineno=5, function="g", depth=1),
    line_frame("    return y + 1", {"x": "3", "y": "6"}, lineno=3, function="f", depth=0),
    return_frame("    return y + 1", "7", lineno=3, function="f", depth=0),
)


def test_exact_prediction():
    score = score_rollout(REFERENCE, REFERENCE)
    assert score.exact and score.first_divergence is None
    assert (score.steps, score.next_line, score.frame_exact) == (6, 6, 6)
    assert (score.locals_steps, score.locals_exact, score.return_steps, score.return_value) == (4, 4, 2, 2)
    assert entry_return_value(REFERENCE) == "7"


def test_wrong_line():
    predicted = list(REFERENCE)
    predicted[5] = replace(predicted[5], lineno=2, source_line="    y = g(x)")
    score = score_rollout(REFERENCE, predicted)
    assert score.first_divergence == 5
    assert (score.next_line, score.frame_exact, score.locals_exact) == (5, 5, 4)  # locals still right
    assert not score.exact


def test_wrong_event_on_the_right_line_is_a_wrong_next_line():
    predicted = list(REFERENCE)
    predicted[3] = return_frame("    return a * 2", "6", lineno=5)
    score = score_rollout(REFERENCE, predicted)
    assert score.first_divergence == 3 and score.next_line == 5 and score.locals_exact == 3


def test_wrong_value():
    predicted = list(REFERENCE)
    predicted[5] = line_frame("    return y + 1", {"x": "3", "y": "5"}, lineno=3)
    predicted[6] = return_frame("    return y + 1", "6", lineno=3)
    score = score_rollout(REFERENCE, predicted)
    assert score.first_divergence == 5
    assert (score.next_line, score.frame_exact, score.locals_exact, score.return_value) == (6, 4, 3, 1)
    assert entry_return_value(predicted) == "6"


def test_values_compare_as_values_not_text():
    ref = (call_frame("def f(d):", {"d": "{'a': 1, 'b': 2}"}, lineno=1),
           return_frame("def f(d):", "{'x', 'y'}", lineno=1))
    pred = (ref[0], return_frame("def f(d):", "{'y', 'x'}", lineno=1))
    assert score_rollout(ref, pred).exact
    pred_bad = (ref[0], return_frame("def f(d):", "{'x', 'y', 'z'}", lineno=1))
    assert not score_rollout(ref, pred_bad).exact


def test_truncated_prediction_is_wrong_on_every_missing_step():
    score = score_rollout(REFERENCE, REFERENCE[:3])
    assert score.first_divergence == 3
    assert (score.next_line, score.frame_exact, score.predicted_steps) == (2, 2, 2)
    assert entry_return_value(REFERENCE[:3]) is None


def test_extra_frames_diverge_after_the_end():
    score = score_rollout(REFERENCE, REFERENCE + (REFERENCE[1],))
    assert score.frame_exact == score.steps and score.first_divergence == 7 and not score.exact


def test_nested_return_is_not_the_entry_return():
    assert entry_return_value(REFERENCE[:5]) is None


def test_exception_steps_compare_values():
    ref = (call_frame("def f():", {}, lineno=1), exception_frame("    1/0", "ZeroDivisionError('division by zero')", lineno=2),
           return_frame("    1/0", "None", lineno=2))
    pred = (ref[0], exception_frame("    1/0", "ValueError()", lineno=2), ref[2])
    score = score_rollout(ref, pred)
    assert (score.next_line, score.frame_exact, score.return_value, score.first_divergence) == (2, 1, 1, 1)


def test_teacher_forced_scores_each_step_alone():
    predicted_next = list(REFERENCE[1:])
    predicted_next[1] = None  # no prediction at step 2
    predicted_next[4] = replace(REFERENCE[5], local_items=(("x", "3"), ("y", "7")))
    score = score_teacher_forced(REFERENCE, predicted_next)
    assert score.first_divergence == 2
    assert (score.steps, score.frame_exact, score.next_line, score.locals_exact, score.predicted_steps) == (6, 4, 5, 2, 5)


def test_sum_scores_is_a_micro_average():
    good = score_rollout(REFERENCE, REFERENCE)
    bad = score_rollout(REFERENCE, REFERENCE[:1])
    total = sum_scores([good, bad])
    assert total["frame_exact_match"] == 6 / 12
    assert total["programs_exact"] == 0.5
    assert total["return_value_accuracy"] == 2 / 4


def test_divergence_detail_names_both_frames():
    from neural_pdb.evaluation.metrics import describe_frame, divergence_detail

    predicted = list(REFERENCE)
    predicted[5] = line_frame("    return y + 1", {"x": "3", "y": "5"}, lineno=3)
    detail = divergence_detail(REFERENCE, predicted, score_rollout(REFERENCE, predicted).first_divergence)
    assert detail == {"step": 5, "real": "line 3 `return y + 1` x=3, y=6", "predicted": "line 3 `return y + 1` x=3, y=5"}
    assert divergence_detail(REFERENCE, REFERENCE[:2], 2)["predicted"] == "(nothing predicted)"
    assert describe_frame(REFERENCE[-1]) == "return 3 `return y + 1` -> 7"
