using Microsoft.EntityFrameworkCore;

namespace Mediahub.Data
{
    /// <summary>A media-server-like app: library items, per-user play state, an activity log; Designer files carry the target model.</summary>
    public class MediahubDbContext : DbContext
    {
    }
}
