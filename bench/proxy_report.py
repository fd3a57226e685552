"""The rows `proxy_overhead.py` prints (and `run_all.py` gathers), each with its target."""


def create_row(results: dict, key: str, target_ms: float) -> tuple[str, str]:
    """Issue 28's row: what the console adds to the create alone, beside nginx's."""
    row = {way: results[key][way]["create"] for way in results[key]}
    added = row["console"]["median"] - row["direct"]["median"]
    nginx = row["nginx"]["median"] - row["direct"]["median"]
    what = "with a 320×192 PNG frame" if key.endswith("frame") else "with a URL frame"
    value = (
        f"direct {row['direct']['median']:.2f} ms, nginx {row['nginx']['median']:.2f}, "
        f"console {row['console']['median']:.2f} (median): console adds {added:.2f} ms "
        f"({'met' if added <= target_ms else 'not met'}: ≤ {target_ms} ms), nginx "
        f"{nginx:.2f} ms"
    )
    if "before" in row:
        before = row["before"]["median"] - row["direct"]["median"]
        value += f"; baseline console adds {before:.2f} ms"
    if "bare" in row:
        bare = row["bare"]["median"] - row["direct"]["median"]
        value += f"; a bare FastAPI + httpx pass-through adds {bare:.2f} ms"
    return f"create alone, {what}, concurrency 1", value


def report(results: dict) -> list[tuple[str, str]]:
    rows = [create_row(results, "c1", 1.5), create_row(results, "c1 frame", 2.0)]
    for key in ("c1", "c1 frame", "c50"):
        row = results[key]
        what = "with a 320×192 PNG frame, " if key.endswith("frame") else ""
        level = key.split()[0][1:]
        added = {m: row["console"][m] - row["direct"][m] for m in ("median", "p99")}
        nginx = {m: row["nginx"][m] - row["direct"][m] for m in ("median", "p99")}
        multiple = (
            f"{added['median'] / nginx['median']:.1f}× nginx's overhead"
            if nginx["median"] > 0.01
            else "nginx's own overhead is within noise"
        )
        rows.append(
            (
                f"create+read, {what}concurrency {level}",
                f"direct {row['direct']['median']:.2f}/{row['direct']['p99']:.2f} ms, "
                f"nginx {row['nginx']['median']:.2f}/{row['nginx']['p99']:.2f}, "
                f"console {row['console']['median']:.2f}/{row['console']['p99']:.2f} "
                f"(median/p99); console adds {added['median']:.2f} ms median, "
                f"{added['p99']:.2f} ms p99; nginx adds {nginx['median']:.2f} ms median "
                f"({multiple})",
            )
        )
        rows.append(
            (
                f"CPU per pair, {what}concurrency {level}",
                f"simulator {row['direct']['cpu_ms_per_pair'][0]:.2f} ms; "
                f"nginx {row['nginx']['cpu_ms_per_pair'][0]:.2f} ms; "
                f"console {row['console']['cpu_ms_per_pair'][0]:.2f} ms",
            )
        )
        if "before" in row:
            before = row["before"]["median"] - row["direct"]["median"]
            rows.append(
                (
                    f"baseline console, {what}concurrency {level}",
                    f"{row['before']['median']:.2f}/{row['before']['p99']:.2f} ms "
                    f"(median/p99): adds {before:.2f} ms median (this one: "
                    f"{added['median']:.2f}); CPU per pair "
                    f"{row['before']['cpu_ms_per_pair'][0]:.2f} ms",
                )
            )
        if "bare" in row:
            bare = row["bare"]["median"] - row["direct"]["median"]
            rows.append(
                (
                    f"bare FastAPI + httpx pass-through, {what}concurrency {level}",
                    f"adds {bare:.2f} ms median (the console: {added['median']:.2f}); CPU per "
                    f"pair {row['bare']['cpu_ms_per_pair'][0]:.2f} ms",
                )
            )
    for name in ("console", "before"):
        if f"reads_per_s {name}" in results:
            which = "" if name == "console" else ", baseline console"
            value = f"{results[f'reads_per_s {name}']:.0f}/s"
            if name == "console":
                met = "met" if results[f"reads_per_s {name}"] >= 3000 else "not met"
                value += f" ({met}: ≥ 3,000/s)"
            rows.append((f"task reads/s from the store (c=50, median of 5 × 1 s{which})", value))
    return rows
