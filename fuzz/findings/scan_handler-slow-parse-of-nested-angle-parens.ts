imi,g <( naimpiNgeat<(																							 naimming <( naimpiNgeat<															 naimming <( naimPspmlioevttttttttt943=44444 <i<(																			im< (nam4< (nam4444=



ng < (nam444=



ng < (na4444r44=



ng < (na44imPspmlioevttttttttt943=44444 <i<(																							 naimming <( naimpiNgeat<( naimPspelioev444444444444444444r44444<4444444444444455\55555555555555555555555`555