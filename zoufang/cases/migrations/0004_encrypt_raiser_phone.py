
import zoufang.core.crypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_open311_publication_and_partner_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='raiser_phone_index',
            field=zoufang.core.crypto.BlindIndexField(blank=True, db_index=True, default='', editable=False, max_length=64, verbose_name='反映人电话索引'),
        ),
        migrations.AlterField(
            model_name='case',
            name='raiser_phone',
            field=zoufang.core.crypto.EncryptedCharField(blank=True, default='', index_field='raiser_phone_index', max_length=20, normaliser='phone', verbose_name='反映人电话'),
        ),
        # Existing rows: plain text to ciphertext, and their blind indexes filled (reversible).
        migrations.RunPython(zoufang.core.crypto.migrate_model("cases", "case", "encrypt"),
                             zoufang.core.crypto.migrate_model("cases", "case", "decrypt")),
    ]
