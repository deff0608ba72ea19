from voice.report import charts


def test_line_chart_labels_escapes_and_breaks_on_missing_values():
    svg = charts.line_chart({"<b>x</b>": [("2026-W41", 0.5), ("2026-W42", None), ("2026-W43", -0.5)],
                             "call": [("2026-W41", 0.1)]},
                            title="Trend & more", x_label="ISO week", y_label="sentiment", y_min=-1, y_max=1)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Trend &amp; more" in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<path") == 3  # the None splits the first line; one point makes the second
    assert "ISO week" in svg and "sentiment" in svg
    assert "2026-W41 0.50" in svg  # the data in words, in <desc>


def test_hbar_diverges_from_zero():
    svg = charts.hbar_chart([("bad", -2.0), ("good", 1.5)], title="NPS impact", x_label="points", x_min=-3,
                            x_max=3, notes=["n=4", "n=2"])
    assert charts.NEGATIVE in svg and charts.POSITIVE in svg
    assert "n=4" in svg and "<desc" in svg


def test_empty_data_says_so():
    assert "no data for these filters" in charts.line_chart({}, title="t", x_label="x", y_label="y")
    assert "no data for these filters" in charts.hbar_chart([], title="t", x_label="x")


def test_heatmap_writes_values_and_escapes():
    html = charts.heatmap_table(["<i>tp</i>"], ["W1", "W2"], {("<i>tp</i>", "W1"): (25.0, 3)}, caption="c")
    assert "&lt;i&gt;tp&lt;/i&gt;" in html and "<i>" not in html
    assert ">25<" in html and "n=3" in html and 'class="empty"' in html


def test_nice_ticks():
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(-1, 1, 4) == [-1, -0.5, 0, 0.5, 1]
