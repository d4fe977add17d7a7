# A patent deal's effect: the variant (with the licence) minus the baseline (without it),
# with the 95% CI of the paired difference, in three panels because the units differ:
# the licensee's handsets in the forum (million units), royalties (million US$) and days
# under injunction. Run as
#   gnuplot -e "in='OUT/compare.csv'; out='PLOTS/deal.png'" deal.gp
# after `chipsim compare scenarios/handsets-2023-no-deal.yaml scenarios/handsets-2023.yaml`.
# Optional: licensee='xiaomi', licensor='huawei', product='xiaomi_13', country='CN'.
if (!exists("licensee")) licensee = 'xiaomi'
if (!exists("licensor")) licensor = 'huawei'
if (!exists("product")) product = 'xiaomi_13'
if (!exists("country")) country = 'CN'
set datafile separator ','
set terminal pngcairo size 1100,480 font 'Sans,10' noenhanced
set output out
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics lc rgb '#dddddd'
set xzeroaxis lw 1
set xtics scale 0
set offsets 0.5, 0.5, graph 0.05, graph 0.05
set yrange [*<0:0<*]                 # zero always in view
# compare.csv: baseline,variant,scope,product,metric,unit,baseline_mean,variant_mean,
#              diff_mean,diff_ci95_low,diff_ci95_high,rel_change,replications
# rows(pairs, scale): label, diff, ci low, ci high (divided by scale) of the rows named
# in pairs, "scope:product:metric:label;...", in that order.
rows(pairs, scale) = sprintf("< awk -F, -v pairs='%s' -v k=%g 'BEGIN { n = split(pairs, want, \";\") } NR > 1 { v[$3 \":\" $4 \":\" $5] = $9 / k \",\" $10 / k \",\" $11 / k } END { for (i = 1; i <= n; i++) { split(want[i], f, \":\"); key = f[1] \":\" f[2] \":\" f[3]; if (key in v) print f[4] \",\" v[key] } }' '%s'", pairs, scale, in)
names = system(sprintf("awk -F, 'NR == 2 { printf \"%%s minus %%s\", $2, $1; exit }' '%s'", in))
set multiplot layout 1,3 title sprintf('%s: mean and 95%% CI of the paired difference', names)

set title sprintf('%s in %s', product, country)
set ylabel 'difference, million units'
plot rows(sprintf('%s:%s:delivered:delivered;%s:%s:lost:lost;%s:%s:stopped_by_injunction:stopped', \
                  country, product, country, product, country, product), 1e6) \
       using 0:2:xtic(1) with boxes lc rgb '#1f77b4' notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb '#000000' pt 0 notitle

set title sprintf('royalties: %s paid and exposure, %s received', licensee, licensor)
set ylabel 'difference, million US$'
plot rows(sprintf('%s:all:royalties_paid:paid;%s:all:royalty_exposure:exposure;%s:all:royalties_received:received', \
                  licensee, licensee, licensor), 1e6) \
       using 0:2:xtic(1) with boxes lc rgb '#ff7f0e' notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb '#000000' pt 0 notitle

set title sprintf('%s under injunction', licensee)
set ylabel 'difference, days'
plot rows(sprintf('%s:all:injunction_days:injunction_days', licensee), 1) \
       using 0:2:xtic(1) with boxes lc rgb '#2ca02c' notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb '#000000' pt 0 notitle
unset multiplot
