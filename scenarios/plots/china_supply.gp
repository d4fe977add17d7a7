# China's AI compute: domestic supply against imports (direct + licensed + diverted).
load 'common.gp'
set title sprintf('China: domestic vs imported compute delivered (%s), h100e per month', scenario)
set ylabel 'h100e'
imported = sprintf("< awk -F, -v sc='%s' 'NR > 1 && (sc == \"\" || $1 == sc) && $4 == \"CN\" && $5 == \"all\" && ($6 == \"compute_direct\" || $6 == \"compute_licensed\" || $6 == \"compute_diverted\") { t[$2] += $8 } END { for (d in t) print d \",\" t[d] }' '%s' | sort", scenario, in)
plot rows('CN', 'all', 'compute_domestic') using 1:3:4 with filledcurves lc rgb '#2ca02c' notitle, \
     rows('CN', 'all', 'compute_domestic') using 1:2 with lines lw 2 lc rgb '#2ca02c' title 'domestic (mean, 95% CI)', \
     imported using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'imported: direct + licensed + diverted (mean)'
