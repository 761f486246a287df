// SPDX-License-Identifier: GPL-2.0

#include <linux/dma-mapping.h>

dma_addr_t rust_helper_dma_map_single_attrs(struct device *dev, void *ptr,
					    size_t size,
					    enum dma_data_direction dir,
					    unsigned long attrs)
{
	return dma_map_single_attrs(dev, ptr, size, dir, attrs);
}

/*
 * dma_map_single() for memory of the kernel's linear map (the slab and page allocators, never
 * vmalloc), such as an skb's linear part: without the vmalloc check and with the page looked up
 * inline, the call to dma_map_page_attrs() is a tail call. With CONFIG_DMA_API_DEBUG the checks
 * of dma_map_single_attrs() run as well.
 */
dma_addr_t rust_helper_dma_map_linear(struct device *dev, void *ptr, size_t size,
				      enum dma_data_direction dir)
{
#ifdef CONFIG_DMA_API_DEBUG
	return dma_map_single_attrs(dev, ptr, size, dir, 0);
#else
	return dma_map_page_attrs(dev, virt_to_page(ptr), offset_in_page(ptr), size, dir, 0);
#endif
}

void rust_helper_dma_unmap_single_attrs(struct device *dev, dma_addr_t addr,
					size_t size,
					enum dma_data_direction dir,
					unsigned long attrs)
{
	dma_unmap_single_attrs(dev, addr, size, dir, attrs);
}

int rust_helper_dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	return dma_mapping_error(dev, dma_addr);
}

bool rust_helper_dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	return dma_need_sync(dev, dma_addr);
}

void rust_helper_dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
					 size_t size,
					 enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, size, dir);
}

void rust_helper_dma_sync_single_for_device(struct device *dev,
					    dma_addr_t addr, size_t size,
					    enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr, size, dir);
}

void rust_helper_dma_rmb(void)
{
	dma_rmb();
}

void rust_helper_dma_wmb(void)
{
	dma_wmb();
}
