# TeaCache rescaling polynomial for stdit-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.040238142013549805, 0.11692756414413452]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T22:17:54.819Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [1.0065113089938753, -0.028346567604309973]
