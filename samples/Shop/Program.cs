using System;
using System.Linq;

namespace Shop
{
    public static class Program
    {
        /// <summary>Prints the customers with their order counts; the schema comes from the migrations (expand/contract via SafeMigrations).</summary>
        public static int Main(string[] args)
        {
            using ShopContext context = new ShopContextFactory().CreateDbContext(args);
            foreach (var row in context.Customers.Select(c => new { c.FullName, Orders = c.Orders.Count }).OrderBy(c => c.FullName).Take(20))
                Console.WriteLine($"{row.FullName}: {row.Orders} order(s)");
            return 0;
        }
    }
}
