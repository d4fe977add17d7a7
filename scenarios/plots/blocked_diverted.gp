# What rules blocked, and what went round them: blocked (h100e of ai_compute kept from
# the first choice) against diverted units delivered and seized, worldwide, per month.
if (!exists("item")) item = 'ai_compute'
if (!exists("chip")) chip = 'h100_sxm'
load 'common.gp'
set title sprintf('Blocked vs diverted (%s), per month, mean and 95%% CI', scenario)
set ylabel 'h100e (blocked) / units (diverted, seized)'
plot rows('world', item, 'blocked') using 1:3:4 with filledcurves lc rgb '#7f7f7f' notitle, \
     rows('world', item, 'blocked') using 1:2 with lines lw 2 lc rgb '#7f7f7f' title 'blocked (h100e)', \
     rows('world', chip, 'diverted_delivered') using 1:3:4 with filledcurves lc rgb '#d62728' notitle, \
     rows('world', chip, 'diverted_delivered') using 1:2 with lines lw 2 lc rgb '#d62728' title sprintf('diverted, delivered (%s)', chip), \
     rows('world', chip, 'seized') using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title sprintf('seized (%s)', chip)
