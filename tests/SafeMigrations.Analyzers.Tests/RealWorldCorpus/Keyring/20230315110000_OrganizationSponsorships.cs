using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Keyring.Infrastructure;

#nullable disable

namespace Keyring.PostgresMigrations.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(KeyringDbContext))]
    [Migration("20230315110000_OrganizationSponsorships")]
    public partial class OrganizationSponsorships : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OrganizationSponsorships",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SponsoringOrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    SponsoringUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    FriendlyName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ValidUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganizationSponsorships", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrganizationSponsorships_Organizations_SponsoringOrganizationId",
                        column: x => x.SponsoringOrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_OrganizationSponsorships_Users_SponsoringUserId",
                        column: x => x.SponsoringUserId,
                        principalTable: "Users",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateIndex(
                name: "IX_OrganizationSponsorships_SponsoringOrganizationId",
                table: "OrganizationSponsorships",
                column: "SponsoringOrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OrganizationSponsorships");
        }
    }
}
