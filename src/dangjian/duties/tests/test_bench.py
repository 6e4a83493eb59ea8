import io
import random
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "bench"


def test_bench_figures_agree_with_hand_written_sql(city, users, kinds):
    from dangjian.duties import seed

    seed.seed(preset="demo", rng=random.Random(3), stdout=io.StringIO())
    sys.path.insert(0, str(BENCH))
    try:
        import bench_duties

        result = bench_duties.measure(1)
    finally:
        sys.path.remove(str(BENCH))
    assert result["checks"] == {"total": True, "children": True, "red": True}, result
    figure = result["figures"]["duties.compliance_quarter"]
    assert figure["same"] and figure["ours_queries"] <= 8
