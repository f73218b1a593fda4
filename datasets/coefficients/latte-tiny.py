# TeaCache rescaling polynomial for latte-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 2; fitted on modulated relative L1 in [0.010036579333245754, 0.17142599821090698]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T22:43:43.712Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [14.238363448075358, -0.37091362478317486, 0.01375090631747708]
