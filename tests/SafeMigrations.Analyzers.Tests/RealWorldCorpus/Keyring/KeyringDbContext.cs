using System.IO;
using Microsoft.EntityFrameworkCore;

namespace Keyring.Infrastructure
{
    /// <summary>A password-vault-like app: organizations, users, ciphers, collections; data migrations in embedded .psql scripts.</summary>
    public class KeyringDbContext : DbContext
    {
    }

    /// <summary>Loads an embedded SQL script: the text exists only at run time, so no analyzer can see it (verify can).</summary>
    public static class ScriptResource
    {
        public static string Read(string name)
        {
            using var stream = typeof(ScriptResource).Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
