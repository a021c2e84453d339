using Microsoft.EntityFrameworkCore;

namespace IdentityConsole.EntityFramework
{
    /// <summary>An identity-server-admin-like app: clients, secrets, grants, audit log; identity columns everywhere.</summary>
    public class ConfigurationDbContext : DbContext
    {
    }
}
