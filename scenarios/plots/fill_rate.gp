# Fill rate (share of ordered compute delivered from stock at once) per destination.
if (!exists("countries")) countries = 'CN SA'
if (!exists("item")) item = 'ai_compute'
load 'common.gp'
set title sprintf('Fill rate of %s (%s), mean and 95%% CI', item, scenario)
set ylabel 'ratio'
set yrange [0:1.05]
plot for [i = 1:words(countries)] rows(word(countries, i), item, 'fill_rate') using 1:3:4 with filledcurves notitle, \
     for [i = 1:words(countries)] rows(word(countries, i), item, 'fill_rate') using 1:2 with lines lw 2 title word(countries, i)
