# A compare chart: the variant minus the baseline, per destination, with the 95% CI of the
# paired difference. Run as
#   gnuplot -e "in='OUT/compare.csv'; out='PLOTS/compare.png'; metric='compute_delivered'; product='all'" compare.gp
if (!exists("metric")) metric = 'compute_delivered'
if (!exists("product")) product = 'all'
set datafile separator ','
set terminal pngcairo size 900,500 font 'Sans,10' noenhanced
set output out
set style data histograms
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics lc rgb '#dddddd'
set xzeroaxis lw 1
# compare.csv: baseline,variant,scope,product,metric,unit,baseline_mean,variant_mean,
#              diff_mean,diff_ci95_low,diff_ci95_high,rel_change,replications
diffs = sprintf("< awk -F, -v p='%s' -v m='%s' 'NR > 1 && $5 == m && $4 == p && $3 ~ /^[A-Z][A-Z]$/ { print $3 \",\" $9 \",\" $10 \",\" $11 \",\" $2 }' '%s'", product, metric, in)
set title sprintf('%s of %s: variant minus baseline, mean and 95%% CI of the paired difference', metric, product)
set ylabel 'difference'
plot diffs using 0:2:xtic(1) with boxes lc rgb '#1f77b4' notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb '#000000' pt 0 notitle
