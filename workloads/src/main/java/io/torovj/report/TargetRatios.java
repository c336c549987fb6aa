package io.torovj.report;

import java.util.ArrayList;
import java.util.List;

import static io.torovj.report.ResultsSchema.*;

/**
 * The ratios issue 10's latency targets are judged by, per transport, computed as the run page
 * judges them: each nullcall over its C floor ({@link FloorTables#judged}) and the cold VMs over
 * the C VM lifecycle ({@link ServerlessSection#overFloor}). The repeatability check sets them run
 * against run beside the raw medians: a floor measured in the same minutes as its transport shares
 * the host's placement with it, so where the host moved between two runs the ratios can agree when
 * the medians do not, and the verdicts are only as repeatable as these.
 */
final class TargetRatios {
    static final String NULLCALL_OVER_FLOOR = "nullcall ÷ its C floor";
    static final String COLD_OVER_LIFECYCLE = "cold VM ÷ the C VM lifecycle";

    /** One target's ratio for one transport. */
    record Ratio(String target, String transport, double value) {}

    private TargetRatios() {}

    /** Every ratio the run decides a target with, nullcalls first; an undecided nullcall is left out (it decides nothing). */
    static List<Ratio> of(ResultSet rs) {
        List<Ratio> out = new ArrayList<>();
        java.util.Map<String, String> floors = CellValues.cFloors(rs);
        for (String t : rs.transports()) {
            if (NATIVE.equals(t)) continue;
            FloorTables.judged(rs, t, floors.get(t)).filter(j -> j.undecided() == null)
                    .ifPresent(j -> out.add(new Ratio(NULLCALL_OVER_FLOOR, t, j.ratio())));
        }
        ServerlessSection.overFloor(rs, HELLOWORLD, C_FLOOR_VM_LIFECYCLE)
                .forEach((t, r) -> out.add(new Ratio(COLD_OVER_LIFECYCLE, t, r.ratio())));
        return out;
    }
}
