// The kernel the model follows where versions differ.
export const MODELLED_KERNELS = ['6.15', 'mainline'] as const;
export type ModelledKernel = (typeof MODELLED_KERNELS)[number];

export const EINVAL = -22;
export const EBUSY = -16;

// zs_page_migrate() on a failed zspage_write_trylock(): 6.15 returns -EINVAL; mainline
// returns -EBUSY (a reader may hold the lock for an unbounded time, so not -EAGAIN).
export function migrateTrylockErrno(kernel: ModelledKernel): number {
  return kernel === '6.15' ? EINVAL : EBUSY;
}
