using Microsoft.EntityFrameworkCore;

namespace Paydesk.Data
{
    /// <summary>A payment-processor-like app: stores, invoices, payments; one history since 2022 with raw SQL for Npgsql-only steps.</summary>
    public class PaydeskDbContext : DbContext
    {
    }
}
