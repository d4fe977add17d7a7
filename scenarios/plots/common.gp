# Shared settings for chipsim's plots. Each script is run as
#   gnuplot -e "in='OUT/timeseries.csv'; out='PLOTS/name.png'; scenario='NAME'" script.gp
# and reads chipsim's CSV through awk, which selects rows by their columns:
#   timeseries.csv: scenario,period_start,period_end,scope,product,metric,unit,
#                   mean,sd,ci95_low,ci95_high,replications
set datafile separator ','
set terminal pngcairo size 1000,560 font 'Sans,10' noenhanced
set output out
set xdata time
set timefmt '%Y-%m-%d'
set format x '%Y-%m'
set xtics rotate by -30
set grid ytics lc rgb '#dddddd'
set key outside right top
set style fill transparent solid 0.25 noborder
# rows(scope, product, metric): period_start, mean, ci95_low, ci95_high of one series,
# for the scenario `scenario` (every scenario when it is '').
rows(s, p, m) = sprintf("< awk -F, -v sc='%s' -v s='%s' -v p='%s' -v m='%s' 'NR > 1 && (sc == \"\" || $1 == sc) && $4 == s && $5 == p && $6 == m { print $2 \",\" $8 \",\" ($10 == \"\" ? $8 : $10) \",\" ($11 == \"\" ? $8 : $11) }' '%s'", scenario, s, p, m, in)
