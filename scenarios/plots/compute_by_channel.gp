# Compute delivered per destination by channel over time, with 95% CI bands:
# one panel per country in `countries` (default: CN SA).
if (!exists("countries")) countries = 'CN SA'
load 'common.gp'
n = words(countries)
set multiplot layout n,1 title sprintf('Compute delivered by channel (%s), H100-equivalents per month, mean and 95%% CI', scenario)
channels = 'compute_domestic compute_direct compute_licensed compute_diverted'
colors = '#2ca02c #1f77b4 #ff7f0e #d62728'
do for [i = 1:n] {
  c = word(countries, i)
  set ylabel sprintf('%s, h100e', c)
  plot for [k = 1:4] rows(c, 'all', word(channels, k)) using 1:3:4 with filledcurves lc rgb word(colors, k) notitle, \
       for [k = 1:4] rows(c, 'all', word(channels, k)) using 1:2 with lines lw 2 lc rgb word(colors, k) title word(channels, k)[9:]
}
unset multiplot
