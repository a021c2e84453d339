// expect: none
using Microsoft.EntityFrameworkCore;

namespace Shop;

public class ShopContext : DbContext
{
    public ShopContext(DbContextOptions<ShopContext> options) : base(options) { }
}
